package io.streamrec.train;

/**
 * Hooks beside the training loop, the way DJL attaches TrainingListeners: prequential evaluation runs in
 * {@link #beforeStep} (test, then train), metrics, learning-rate schedules and snapshot bookkeeping in
 * {@link #afterStep}. The step itself knows nothing of them.
 */
public interface TrainingListener {
    /** The batch is mapped to rows and the tables have room, but nothing has been learnt from it yet. */
    default void beforeStep(Step step) {
    }

    /** The batch has been trained; {@link Step#loss()} is set. */
    default void afterStep(Step step) {
    }
}
