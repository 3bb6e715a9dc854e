// What is wrong with a typed number, in words for the field it sits beside; null when nothing is.
export function numberProblem(label: string, text: string, min: number, max: number, whole: boolean): string | null {
  const range = `${whole ? 'a whole number' : 'a number'} from ${min} to ${max}`;
  if (text.trim() === '') return `${label} is empty: enter ${range}.`;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max || (whole && !Number.isInteger(value))) {
    return `${label} must be ${range}; ${text} is not.`;
  }
  return null;
}
