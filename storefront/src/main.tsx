import { render } from 'preact';
import { App } from './app.js';
import { loadConfig } from './config.js';
import { createClient } from './session.js';
import './styles.css';

const root = document.getElementById('app')!;
try {
  const { gatewayUrl } = await loadConfig();
  // The SDK's session can end while the app runs (a refused renewal); the app hears it through this.
  const signedOut = new EventTarget();
  const shop = createClient(gatewayUrl, () => signedOut.dispatchEvent(new Event('signed-out')));
  // Preact renders beside what is there: the static "Loading" line goes first.
  root.replaceChildren();
  render(<App shop={shop} signedOut={signedOut} />, root);
} catch (error) {
  console.warn('The storefront could not start', error);
  root.textContent = 'The shop could not start. Please reload the page in a moment.';
}
