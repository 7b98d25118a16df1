// `import text from './file.ext?raw'`: the file's text (Vite natively, tsdown through
// tools/raw-text.mjs). Used for the dashboard's browser assets, inlined into the build.
declare module '*?raw' {
  const text: string;
  export default text;
}
