import { useEffect, useId, useState } from 'react';
import { numberProblem } from './number-problem';
import type { NumericFieldProps } from './numeric-field-props';

// A labelled number input that keeps what was typed. The label wraps the input, so its text is the
// input's accessible name (getByLabel / getByRole('spinbutton', { name }) find it by that text). A
// value inside [min, max] (a whole number where `whole`) is passed on; anything else stays in the box
// as typed, is named beside it, and is reported through `onProblem`, so the form can say why it will
// not generate: nothing is clamped, rounded or replaced behind the user's back.
export function NumberField(
  props: NumericFieldProps & {
    /** Only whole numbers are valid (seeds, steps, counts). */
    whole?: boolean;
    /** Called with the field's problem when it has one, and with null once it is fixed. */
    onProblem?: (problem: string | null) => void;
  },
) {
  const { label, name, value, min, max, step = 1, whole = false, title, onChange, onProblem } = props;
  const [text, setText] = useState(String(value));
  const problem = numberProblem(label, text, min, max, whole);
  const problemId = useId();

  // A value set from elsewhere (a random seed, a pack's defaults, restored parameters) replaces the
  // text; the value this field itself passed on leaves it as typed ("2.50" stays "2.50").
  const [shownValue, setShownValue] = useState(value);
  if (value !== shownValue) {
    setShownValue(value);
    if (Number(text) !== value || problem !== null) setText(String(value));
  }

  useEffect(() => onProblem?.(problem), [problem]); // eslint-disable-line react-hooks/exhaustive-deps
  // A field that goes away takes its problem with it.
  useEffect(() => () => onProblem?.(null), []); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <label title={title} className="number-field">
      {label}
      <input
        type="number"
        name={name}
        value={text}
        min={min}
        max={max}
        step={step}
        aria-invalid={problem !== null}
        aria-describedby={problem ? problemId : undefined}
        onChange={(e) => {
          const typed = e.target.value;
          setText(typed);
          if (numberProblem(label, typed, min, max, whole) === null) onChange(Number(typed));
        }}
      />
      {problem && (
        <span id={problemId} className="field-problem" data-testid={`problem-${name}`}>
          {problem}
        </span>
      )}
    </label>
  );
}
