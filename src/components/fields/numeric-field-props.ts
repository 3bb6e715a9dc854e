// What every numeric field of the form takes: its label (also its accessible name), its form name,
// the value and its range, and where a valid value goes.
export interface NumericFieldProps {
  label: string;
  name: string;
  value: number;
  min: number;
  max: number;
  step?: number;
  /** A tooltip on the field. */
  title?: string;
  onChange: (value: number) => void;
}
