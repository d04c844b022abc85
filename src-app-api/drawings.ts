/**
 * What the app accepts as a drawing: shared by the worker (which refuses) and the renderer (which can
 * disable its buttons before asking), so both use the same threshold and the same words.
 */

/** The most drawings the user set holds; one more is refused with USER_SET_FULL. */
export const USER_SET_CAPACITY = 2000;

/**
 * The least ink (the sum of the 784 pixel values, each 0..1) a drawing must have: about three fully
 * dark pixels. Less is an empty canvas or a stray click, which neither predict nor the user set takes.
 */
export const MIN_DRAWING_INK = 3;

export const NOTHING_DRAWN = 'nothing drawn: the canvas is empty; draw a digit first';

export function userSetFullMessage(capacity: number = USER_SET_CAPACITY): string {
  return `your set is full (${capacity} drawings); delete some first`;
}

/** The total ink of a drawing: the sum of its pixel values. */
export function drawingInk(pixels: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < pixels.length; i++) sum += pixels[i];
  return sum;
}

export function hasInk(pixels: ArrayLike<number>): boolean {
  return drawingInk(pixels) >= MIN_DRAWING_INK;
}
