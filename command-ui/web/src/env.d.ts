// Vite asset imports, declared for `tsc --noEmit -p .` (the root tsconfig type-checks this folder too).
declare module '*.css';
declare module '*?url' {
  const url: string;
  export default url;
}
