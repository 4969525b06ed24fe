package io.streamrec.contract;

import java.util.Arrays;
import java.util.Locale;

/**
 * The model families of the reference notebooks: {@code trainer.model} in settings, {@code config.model} in every
 * snapshot manifest. The shape of a factor row is part of the contract (FACTORS.md), so it is written here once,
 * for the trainer that writes rows and the scorer that reads them; how each family scores is in the trainer's
 * engines and the scorer's {@code ModelSpec}, and a test keeps those two agreeing.
 */
public enum ModelKind {
    /** Dot product + user/item biases + global offset: a row is d factors then the bias. */
    MF,
    /** Elementwise product, then a linear layer: a row is d factors. */
    GMF,
    /** Concatenated embeddings through ReLU layers: a row is d factors (the tower's input half). */
    NCF_MLP,
    /** GMF and MLP towers fused by one output layer: a row is d GMF factors then mlpDim tower factors. */
    NEUMF;

    /** The name used in settings and manifests: mf, gmf, ncf-mlp, neumf. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * @throws IllegalArgumentException naming the known models
     */
    public static ModelKind of(String id) {
        for (ModelKind k : values()) {
            if (k.id().equals(id)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown model '" + id + "' (expected one of "
                + Arrays.stream(values()).map(ModelKind::id).toList() + ")");
    }

    /** Whether the score is linear in the user row (mf, gmf): the java engine, ridge fold-in, and fast ranking. */
    public boolean linear() {
        return this == MF || this == GMF;
    }

    /** Whether a row ends with a bias (mf). */
    public boolean hasBias() {
        return this == MF;
    }

    /** Whether the score has an MLP tower (ncf-mlp, neumf). */
    public boolean hasTower() {
        return this == NCF_MLP || this == NEUMF;
    }

    /** Whether the output layer weighs an elementwise product of the GMF factors (gmf, neumf). */
    public boolean hasGmf() {
        return this == GMF || this == NEUMF;
    }

    /** Floats of a row's parameters (FACTORS.md). */
    public int rowWidth(int dim, int mlpDim) {
        return switch (this) {
            case MF -> dim + 1;
            case GMF, NCF_MLP -> dim;
            case NEUMF -> dim + mlpDim;
        };
    }

    /** Factors a row has besides its bias: what distances between users are measured on. */
    public int factorWidth(int dim, int mlpDim) {
        return rowWidth(dim, mlpDim) - (hasBias() ? 1 : 0);
    }

    /** Width of each side's input to the tower: mlpDim for neumf, d for ncf-mlp, 0 without a tower. */
    public int towerDim(int dim, int mlpDim) {
        return switch (this) {
            case NEUMF -> mlpDim;
            case NCF_MLP -> dim;
            default -> 0;
        };
    }

    /** Where the tower's factors start in a row: after the GMF factors for neumf, at 0 for ncf-mlp. */
    public int towerOffset(int dim) {
        return this == NEUMF ? dim : 0;
    }
}
