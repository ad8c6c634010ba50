export { deepActiveElement, hasFocusWithin } from './deep-active';
export { isEligibleField, isContentEditable, isTextControl, type EditableField } from './eligibility';
export {
  applyEdit,
  deleteBackward,
  insertText,
  pressEnter,
  replaceBeforeCaret,
  replaceLastInserted,
  textBeforeCaret,
  type FieldEdit,
} from './edit';
