import { useCallback, useEffect, useState } from 'react';
import { api } from './api';
import type { TemplatePublic } from './types';

/** How long a loaded list is used before the next reply box asks again. */
const FRESH_MS = 60_000;

let cached: { at: number; templates: TemplatePublic[] } | null = null;
let loading: Promise<TemplatePublic[]> | null = null;

/** Forget the loaded list (the admin page changed a template). */
export function invalidateTemplates(): void {
  cached = null;
}

function load(): Promise<TemplatePublic[]> {
  loading ??= api
    .listTemplates()
    .then((templates) => {
      cached = { at: Date.now(), templates };
      return templates;
    })
    .finally(() => {
      loading = null;
    });
  return loading;
}

export type TemplatesStatus = 'idle' | 'loading' | 'ready' | 'error';

/**
 * The canned replies for the reply box's picker: one list for the whole console (a few hundred at most),
 * loaded when first asked for and again when it is over a minute old.
 */
export function useTemplates(): { templates: TemplatePublic[]; status: TemplatesStatus; refresh: () => void } {
  const [templates, setTemplates] = useState<TemplatePublic[]>(() => cached?.templates ?? []);
  const [status, setStatus] = useState<TemplatesStatus>(cached ? 'ready' : 'idle');

  const refresh = useCallback(() => {
    if (cached && Date.now() - cached.at < FRESH_MS) {
      setTemplates(cached.templates);
      setStatus('ready');
      return;
    }
    setStatus((previous) => (previous === 'ready' ? previous : 'loading'));
    load()
      .then((list) => {
        setTemplates(list);
        setStatus('ready');
      })
      .catch(() => setStatus((previous) => (previous === 'ready' ? previous : 'error')));
  }, []);

  useEffect(() => {
    refresh();
  }, [refresh]);

  return { templates, status, refresh };
}
