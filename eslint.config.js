// ESLint for the page scripts in static/js: ES modules run by the browser, no build.
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: globals.browser,
    },
    rules: {
      // `const { sent, ...kept } = entry` is how a script leaves a key out of a copy.
      "no-unused-vars": ["error", { ignoreRestSiblings: true }],
      // Django's manifest storage fingerprints `import … from "./x.js";` only with its
      // semicolon (hearth/staticfiles.py), so a missing one would ship an unhashed import.
      semi: ["error", "always"],
    },
  },
];
