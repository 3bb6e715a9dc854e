// The app's form fields: every number input and slider goes through these, so they look, label and
// clamp alike.
export { NumberField } from './NumberField';
export { RangeField } from './RangeField';
