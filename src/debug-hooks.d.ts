// The page's debug and test hooks (set in main.tsx), typed for the app and for the e2e tests that
// call them through page.evaluate.
interface Window {
  kandinskyDebug: { loseDevice: () => Promise<boolean>; hangNextGeneration: () => Promise<void> };
}
