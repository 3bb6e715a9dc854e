// The loaded pack's licence and the image sets its weights were trained on. Twemoji is CC-BY-4.0, so
// the attribution has to be visible wherever the model's pictures are made, not only in the README.
import { useAppStore } from '../store';

export function PackCredits() {
  const pack = useAppStore((s) => s.pack);
  if (!pack) return null;
  return (
    <section className="credits" aria-label="Model credits">
      <p>
        Model: {pack.title} ({pack.license}). {pack.description}
      </p>
      {pack.credits.length > 0 && (
        <>
          <p>Trained on:</p>
          <ul>
            {pack.credits.map((c) => (
              <li key={c.name}>
                {c.url ? <a href={c.url}>{c.name}</a> : c.name}, {c.license}
                {c.note ? ` (${c.note})` : ''}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
