/** The `data:preview` channel: a data folder's kind, classes, split sizes and a sample grid, 28×28 as the models take. */
import { MNIST_IMAGE_SHAPE, previewDataDir } from '../../src-core/datasets';
import { resolveDataDir } from '../../src-core/datasets/mnist-files';
import type { Req, Res } from '../../src-app-api/schemas';

const SAMPLES_PER_CLASS = 4;
const MAX_SAMPLES = 40;

export function previewData({ dataDir }: Req<'data:preview'>): Res<'data:preview'> {
  const { dir } = resolveDataDir(dataDir ?? undefined);
  const preview = previewDataDir(dir, { imageShape: MNIST_IMAGE_SHAPE, perClass: SAMPLES_PER_CLASS, maxSamples: MAX_SAMPLES });
  return {
    kind: preview.kind,
    description: preview.description,
    classNames: preview.classNames,
    classCounts: preview.classCounts,
    trainSize: preview.trainSize,
    testSize: preview.testSize,
    samples: preview.samples.map((s) => ({ label: s.label, pixels: Array.from(s.pixels) })),
    notes: preview.notes,
  };
}
