package io.streamrec.evaluate;

import io.streamrec.config.Settings;
import io.streamrec.contract.FactorRow;
import io.streamrec.contract.HalfFloat;
import io.streamrec.dataset.RatingLog;
import io.streamrec.dataset.synthetic.SyntheticConfig;
import io.streamrec.dataset.synthetic.SyntheticRatings;
import io.streamrec.train.ModelLayout;
import io.streamrec.train.OnlineTrainer;
import io.streamrec.dataset.RatingBatch;
import io.streamrec.train.Table;
import io.streamrec.train.TrainerConfig;
import io.streamrec.train.arrays.JavaEngine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** evaluate.serving-precision: offline protocols rank with exactly the rows a serving snapshot sends. */
class ServingRoundTripTest {

    @ParameterizedTest
    @EnumSource(value = FactorRow.Precision.class, names = {"FLOAT16", "INT8"})
    void everyRowBecomesWhatAScorerDecodesAndTheOptimizerStateStays(FactorRow.Precision precision) {
        RatingLog log = new SyntheticRatings(SyntheticConfig.of(300, 200, 6_000, 5)).log();
        TrainerConfig config = TrainerConfig.from(Settings.defaults().with("trainer.dim", 16));
        try (OnlineTrainer trainer = new OnlineTrainer(config, new JavaEngine(new ModelLayout(config)))) {
            RatingBatch batch = new RatingBatch(512);
            for (int from = 0; from < log.size(); from += 512) {
                trainer.train(batch.fill(log, from, Math.min(log.size(), from + 512)));
            }
            int width = trainer.engine().layout().width();
            int stateWidth = trainer.engine().layout().stateWidth();
            Map<Table, float[][]> before = new EnumMap<>(Table.class);
            for (Table table : Table.values()) {
                before.put(table, rows(trainer, table));
            }

            ServingRoundTrip.apply(trainer, precision, 64); // several chunks of each table

            for (Table table : Table.values()) {
                float[][] was = before.get(table);
                float[][] now = rows(trainer, table);
                int n = was[0].length / width;
                int changed = 0;
                for (int r = 0; r < n; r++) {
                    float[] decoded = FactorRow.decode(precision.encode(0, 0, was[0], r * width, width, null, 0, 0))
                            .params();
                    for (int k = 0; k < width; k++) {
                        assertThat(now[0][r * width + k]).as("%s row %d[%d]", table, r, k).isEqualTo(decoded[k]);
                        changed += now[0][r * width + k] != was[0][r * width + k] ? 1 : 0;
                    }
                }
                assertThat(changed).as("%s values the encoding rounded", table).isGreaterThan(n);
                assertThat(now[1]).as("%s optimizer state", table).hasSize(n * stateWidth).isEqualTo(was[1]);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = FactorRow.Precision.class, names = {"FLOAT32", "FLOAT16"})
    void leaveLatestOutAndTheRandomSplitRankWithTheRowsAtTheSettingsPrecision(FactorRow.Precision precision) {
        RatingLog log = new SyntheticRatings(SyntheticConfig.of(300, 200, 6_000, 6)).log();
        Settings settings = Settings.defaults().with("trainer.dim", 16).with("evaluate.passes", 2)
                .with("evaluate.serving-precision", precision.name().toLowerCase(Locale.ROOT));
        EvaluationConfig evaluation = EvaluationConfig.from(settings);
        for (String objective : new String[]{"implicit", "explicit"}) {
            TrainerConfig config = TrainerConfig.from(settings.with("trainer.objective", objective));
            try (OnlineTrainer trainer = new OnlineTrainer(config, new JavaEngine(new ModelLayout(config)))) {
                if (objective.equals("implicit")) {
                    LeaveLatestOut.run(log, trainer, evaluation, 50);
                } else {
                    RandomSplit.run(log, trainer, evaluation);
                }
                // float16 values survive a float16 round trip unchanged; trained float32 values mostly do not.
                int notHalf = 0;
                for (Table table : Table.values()) {
                    float[] params = rows(trainer, table)[0];
                    for (float v : params) {
                        notHalf += HalfFloat.toFloat(HalfFloat.fromFloat(v)) != v ? 1 : 0;
                    }
                }
                if (precision == FactorRow.Precision.FLOAT16) {
                    assertThat(notHalf).as(objective + ": values not at float16 after the protocol").isZero();
                } else {
                    assertThat(notHalf).as(objective + ": values the protocol left at float32").isPositive();
                }
            }
        }
    }

    /** Every row of a table: its parameters, then its optimizer state. */
    private static float[][] rows(OnlineTrainer trainer, Table table) {
        int n = table == Table.USERS ? trainer.users().size() : trainer.items().size();
        float[] params = new float[n * trainer.engine().layout().width()];
        float[] state = new float[n * trainer.engine().layout().stateWidth()];
        trainer.engine().exportRows(table, IntStream.range(0, n).toArray(), n, params, state);
        return new float[][]{params, state};
    }
}
