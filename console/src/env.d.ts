/** Vite bundles the CSS the entry imports. */
declare module '*.css';
