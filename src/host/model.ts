/**
 * The model this build ships, as compiled in by the build (see model-choice.ts, the one place
 * that picks it). Files live at /models/<MODEL_NAME>/ inside the extension (or the demo site).
 */
declare const __SWIPE_MODEL__: string | undefined;
declare const __SWIPE_LEXICON__: string | undefined;

export const MODEL_NAME: string = typeof __SWIPE_MODEL__ === 'string' ? __SWIPE_MODEL__ : 'dev-random';
/** lexicon file to use instead of model.json's (e.g. lexicon.bin), when the build found one */
export const MODEL_LEXICON_FILE: string | undefined = typeof __SWIPE_LEXICON__ === 'string' && __SWIPE_LEXICON__ ? __SWIPE_LEXICON__ : undefined;
export const MODEL_DIR = `/models/${MODEL_NAME}/`;
