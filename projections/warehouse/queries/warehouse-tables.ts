/**
 * The warehouse tables the analytics queries read (docs: issue 12's shared
 * design, "Warehouse tables"), built by the warehouse projections. Named in
 * one place, so the queries follow if the warehouse renames one.
 */
export const WAREHOUSE = {
  facts: 'warehouse.facts',
  countsByGrain: {
    minute: 'warehouse.event_counts_minute',
    hour: 'warehouse.event_counts_hour',
    day: 'warehouse.event_counts_day',
  },
  activeUsersDaily: 'warehouse.active_users_daily',
} as const;
