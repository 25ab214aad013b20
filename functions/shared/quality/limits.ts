/**
 * The limits that decide whether an image can be measured at all, apart from the measuring code: the
 * aggregate step reads them without loading the decoder (its zip bundle has no sharp).
 */

/** Below this many pixels on the shorter side nothing but the size is measured. */
export const MIN_MEASURABLE_SIDE = 32;
/** RMS contrast below this (about one level of 255) is a blank image: one colour. */
export const UNIFORM_CONTRAST = 0.004;
