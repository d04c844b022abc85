/**
 * The optimizer names a zoo model can be trained with (the CLI's and the app's), apart from the
 * optimizers themselves so that model specs and generated code (read by the renderer too) carry no
 * import of the training API and its Node-side file writers.
 */
export const OPTIMIZER_NAMES = ['sgd', 'momentum', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];
