import type { JSX } from 'preact';

/** A failure told to the person, announced by screen readers. */
export function ErrorLine(props: { error: string | undefined }): JSX.Element | null {
  if (!props.error) return null;
  return (
    <p class="error" role="alert">
      {props.error}
    </p>
  );
}
