import { render } from 'preact';
import { App } from './app.js';
import { loadConfig } from './config.js';
import { createClient } from './session.js';
import './styles.css';

const root = document.getElementById('app')!;
try {
  const { gatewayUrl } = await loadConfig();
  // The session can end or change while the app runs (a refused renewal, another tab); the app hears it through this.
  const sessionEvents = new EventTarget();
  const shop = createClient(gatewayUrl, sessionEvents);
  // Preact renders beside what is there: the static "Loading" line goes first.
  root.replaceChildren();
  render(<App shop={shop} sessionEvents={sessionEvents} />, root);
} catch (error) {
  console.warn('The storefront could not start', error);
  root.textContent = 'The shop could not start. Please reload the page in a moment.';
}
