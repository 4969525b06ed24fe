package io.streamrec.train;

import java.util.Locale;

/** The model families of the reference notebooks, one config switch ({@code trainer.model}). */
public enum ModelKind {
    /** Dot product + user/item biases + global offset. */
    MF,
    /** Elementwise product, then a linear layer. */
    GMF,
    /** Concatenated embeddings through ReLU layers. */
    NCF_MLP,
    /** GMF and MLP towers fused by one output layer. */
    NEUMF;

    /** The name used in settings and manifests: mf, gmf, ncf-mlp, neumf. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether the plain-Java engine implements this model (the dot-product family). */
    public boolean dotProduct() {
        return this == MF || this == GMF;
    }

    public static ModelKind of(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
