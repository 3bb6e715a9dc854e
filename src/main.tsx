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

// Debug and test hook: simulate a GPU reset (`kandinskyDebug.loseDevice()` in the console).
declare global {
  interface Window {
    kandinskyDebug: { loseDevice: () => Promise<boolean> };
  }
}
window.kandinskyDebug = { loseDevice: () => engine().loseDeviceForTesting() };
