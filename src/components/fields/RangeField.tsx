// A labelled slider that shows its value after the label ("Weight 1.00"). The label wraps the input,
// so label and value together are the slider's accessible name (getByLabel(/^Weight/) finds it).
export function RangeField(props: {
  label: string;
  name: string;
  value: number;
  min: number;
  max: number;
  step?: number;
  /** How the value is written next to the label. */
  format?: (value: number) => string;
  /** A tooltip on the field. */
  title?: string;
  onChange: (value: number) => void;
}) {
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
