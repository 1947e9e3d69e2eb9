import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ShopClient, UserFieldsFragment } from '@shop/sdk';
import type { CartApi } from './cart.js';

export interface AppState {
  shop: ShopClient;
  /** Who is signed in: undefined while the stored session is being checked, null when nobody. */
  user: UserFieldsFragment | null | undefined;
  setUser: (user: UserFieldsFragment | null) => void;
  cart: CartApi;
}

export const AppContext = createContext<AppState | undefined>(undefined);

export function useApp(): AppState {
  const state = useContext(AppContext);
  if (!state) throw new Error('useApp outside <AppContext.Provider>');
  return state;
}
