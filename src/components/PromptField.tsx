// The prompt box, shared by both modes: pictures and animations are made from the same prompt.
import { useAppStore } from '../store';

export function PromptField() {
  const prompt = useAppStore((s) => s.prompt);
  const setParams = useAppStore((s) => s.setParams);
  return (
    <label className="prompt-field">
      Prompt
      <textarea
        name="prompt"
        rows={3}
        value={prompt}
        placeholder="What should the picture show?"
        onChange={(e) => setParams({ prompt: e.target.value })}
      />
    </label>
  );
}
