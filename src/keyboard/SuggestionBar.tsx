/** @jsxImportSource preact */

export interface SuggestionBarProps {
  suggestions: readonly string[];
  /** index of the inserted candidate, -1 for none */
  selected: number;
  /** how many to show */
  max: number;
  /** shown when there is nothing to suggest (model loading, an error…) */
  status?: { text: string; kind: 'info' | 'error' } | undefined;
  onPick: (index: number) => void;
}

export function SuggestionBar({ suggestions, selected, max, status, onPick }: SuggestionBarProps) {
  const shown = suggestions.slice(0, Math.max(1, max));
  if (shown.length === 0) {
    return (
      <div class="status" role="status" aria-live="polite" data-kind={status?.kind ?? 'info'}>
        {status?.text ?? ''}
      </div>
    );
  }
  return (
    <div class="suggestions" role="toolbar" aria-label="Suggestions">
      {shown.map((word, i) => (
        <div
          key={`${i}:${word}`}
          class="suggestion"
          role="button"
          aria-label={`Suggestion ${word}`}
          aria-pressed={i === selected ? 'true' : 'false'}
          onClick={() => onPick(i)}
        >
          {word}
        </div>
      ))}
    </div>
  );
}
