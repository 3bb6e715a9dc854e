// The model's image sets in one line, always in sight (Twemoji's CC-BY-4.0 asks for attribution where
// its pictures are made); the full credits are in Settings.
import { useAppStore } from '../store';

export function CreditLine() {
  const pack = useAppStore((s) => s.pack);
  if (!pack) return <p className="credit-line">&nbsp;</p>;
  return (
    <p className="credit-line">
      {pack.title} ({pack.license})
      {pack.credits.length > 0 && <> · trained on {pack.credits.map((c) => `${c.name} (${c.license})`).join(', ')}</>}
    </p>
  );
}
