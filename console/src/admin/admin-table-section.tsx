import type { ComponentChildren, JSX } from 'preact';
import { ErrorLine } from '../components/error-line.js';
import type { AdminList } from './use-admin-list.js';

export interface AdminTableSectionProps<T> {
  /** Names the heading (`<id>-heading`). */
  id: string;
  title: string;
  /** The table's region, reachable by keyboard when it scrolls sideways on a narrow screen. */
  tableLabel: string;
  list: AdminList<T>;
  /** Column headings; each row is headed by its first cell (a `<th scope="row">`). */
  columns: readonly string[];
  keyOf(item: T): string;
  /** A row's cells, the row heading first. */
  cells(item: T): JSX.Element;
  /** What comes between the heading and the table: a form, a secret shown once. */
  children?: ComponentChildren;
}

/** One section of the administration page: a heading, what acts on the list, its errors, and the list as a table. */
export function AdminTableSection<T>(props: AdminTableSectionProps<T>): JSX.Element {
  const heading = `${props.id}-heading`;
  return (
    <section aria-labelledby={heading}>
      <h2 id={heading}>{props.title}</h2>
      {props.children}
      <ErrorLine error={props.list.error ?? props.list.writeError} />
      <div class="table-wrap" tabIndex={0} role="region" aria-label={props.tableLabel}>
        <table>
          <thead>
            <tr>
              {props.columns.map((column) => (
                <th key={column} scope="col">
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {(props.list.data?.items ?? []).map((item) => (
              <tr key={props.keyOf(item)}>{props.cells(item)}</tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** A row's action: a secondary button whose accessible name says what it acts on (the visible text alone would be ambiguous in a table). */
export function RowAction(props: { label: string; onClick(): void; children: ComponentChildren }): JSX.Element {
  return (
    <button type="button" class="secondary" aria-label={props.label} onClick={props.onClick}>
      {props.children}
    </button>
  );
}
