// A labelled slider that shows its value: the canvas's brush size, feather and strength.
export function RangeField(props: {
  label: string;
  name: string;
  value: number;
  min: number;
  max: number;
  step?: number;
  /** How the value is written next to the label. */
  format?: (value: number) => string;
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
