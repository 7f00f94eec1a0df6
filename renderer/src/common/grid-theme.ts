import { AllCommunityModule, ModuleRegistry, colorSchemeDarkBlue, themeQuartz } from 'ag-grid-community';

ModuleRegistry.registerModules([AllCommunityModule]);

/** One grid look for every table: dark, dense but legible, monospace where numbers line up. */
export const gridTheme = themeQuartz.withPart(colorSchemeDarkBlue).withParams({
  fontSize: 13,
  headerFontSize: 13,
  rowHeight: 30,
  headerHeight: 34,
  spacing: 6,
  fontFamily: 'Inter, "Segoe UI", system-ui, sans-serif',
  backgroundColor: '#0f1722',
  headerBackgroundColor: '#152131',
  oddRowBackgroundColor: '#111b28',
  borderColor: '#22324a',
  foregroundColor: '#dbe4ef',
  accentColor: '#4ea1ff',
});
