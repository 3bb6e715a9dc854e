import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { engine } from './engine-client';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// Debug and test hooks: simulate a GPU reset (`kandinskyDebug.loseDevice()` in the console), or a
// step that hangs (`kandinskyDebug.hangNextGeneration()`: the next run never finishes nor answers a
// cancel, as a wedged driver would). Declared in debug-hooks.d.ts, where the e2e tests see it too.
window.kandinskyDebug = {
  loseDevice: () => engine().loseDeviceForTesting(),
  hangNextGeneration: () => engine().hangNextGenerationForTesting(),
};
