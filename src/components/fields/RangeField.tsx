import type { NumericFieldProps } from './numeric-field-props';

// A labelled slider that shows its value after the label ("Weight 1.00"). The label wraps the input,
// so label and value together are the slider's accessible name (getByLabel(/^Weight/) finds it).
export function RangeField(
  props: NumericFieldProps & {
    /** How the value is written next to the label. */
    format?: (value: number) => string;
  },
) {
  const { label, name, value, min, max, step = 1, format = String, title, onChange } = props;
  return (
    <label title={title}>
      {label} {format(value)}
      <input
        type="range"
        name={name}
        min={min}
        max={max}
        step={step}
        value={value}
        onChange={(e) => onChange(Number(e.target.value))}
      />
    </label>
  );
}
