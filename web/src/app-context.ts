'use client';
import { useLiveComments } from '@live-comments/react';
import { createContext, useContext } from 'react';
import type { WebConfig } from './config';
import { type Session, useSession } from './session';

export const ConfigContext = createContext<WebConfig | undefined>(undefined);

/** The stage's configuration, once /config.json was read (AppShell renders the pages only then). */
export const useConfig = (): WebConfig => {
  const config = useContext(ConfigContext);
  if (!config) throw new Error('useConfig: rendered before the configuration was loaded');
  return config;
};

/** The signed-in user, with sign-in through the provider's HTTP client. */
export const useAppSession = (): Session => useSession(useLiveComments().api);
