/** The knowledge base's categories (GET /kb/categories), for the queue filter and the pickers. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from './api';
import type { CategoryPublic } from './types';

export interface CategoriesApi {
  categories: CategoryPublic[];
  /** Ask again (after the knowledge base changed). */
  reload: () => void;
}

/** Loaded once per sign-in; a failure (ml down) leaves the list empty, which the pickers cope with. */
export function useCategories(): CategoriesApi {
  const [categories, setCategories] = useState<CategoryPublic[]>([]);
  const latest = useRef<AbortController | null>(null);

  const reload = useCallback(() => {
    latest.current?.abort();
    const controller = new AbortController();
    latest.current = controller;
    api
      .categories(controller.signal)
      .then((list) => {
        if (!controller.signal.aborted && Array.isArray(list)) setCategories(list);
      })
      .catch(() => {
        // no categories: the filter offers "all", the pickers keep the ticket's current values
      });
  }, []);

  useEffect(() => {
    reload();
    return () => latest.current?.abort();
  }, [reload]);

  return { categories, reload };
}
