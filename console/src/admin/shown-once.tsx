import type { JSX } from 'preact';

/** A secret the server shows in one answer only (an API key, an invitation token). */
export function ShownOnce(props: { label: string; value: string; onDone(): void }): JSX.Element {
  return (
    <div class="once" role="status">
      <p>
        <strong>{props.label}</strong> — copy it now: it is shown this once and cannot be read again.
      </p>
      <p>
        <code data-testid="shown-once">{props.value}</code>
      </p>
      <button type="button" class="secondary" onClick={props.onDone}>
        I have copied it
      </button>
    </div>
  );
}
