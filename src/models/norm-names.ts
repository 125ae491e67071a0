/**
 * The normalisations a model may put after each dense/conv layer. config/schema.ts builds the
 * `model.norm` enum from this list, and norm-layer.ts maps every name to the layer it builds
 * (typed over this list, so a name without a layer does not compile).
 */
export const NORM_NAMES = ['none', 'batch', 'group', 'layer'] as const;
export type NormName = (typeof NORM_NAMES)[number];
