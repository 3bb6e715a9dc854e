// A labelled number input. The label wraps the input, so its text is the input's accessible name
// (getByLabel / getByRole('spinbutton', { name }) find it by that text). A typed value is clamped to
// [min, max]; one that is not a number is ignored. Rounding, where a field wants whole numbers, is the
// caller's (in onChange).
export function NumberField(props: {
  label: string;
  name: string;
  value: number;
  min: number;
  max: number;
  step?: number;
  /** A tooltip on the field. */
  title?: string;
  onChange: (value: number) => void;
}) {
  const { label, name, value, min, max, step = 1, title, onChange } = props;
  return (
    <label title={title}>
      {label}
      <input
        type="number"
        name={name}
        value={value}
        min={min}
        max={max}
        step={step}
        onChange={(e) => {
          const v = Number(e.target.value);
          if (Number.isFinite(v)) onChange(Math.min(max, Math.max(min, v)));
        }}
      />
    </label>
  );
}
