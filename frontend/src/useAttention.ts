/** The console's calls for attention (attention.ts): the tab title, and opt-in sound and desktop notifications. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { alertFor, storeAttention, storedAttention, titleWithCount, type Alert, type AttentionPrefs } from './attention';
import type { Translate } from './i18n';
import type { LiveEvent } from './types';

export type DesktopPermission = NotificationPermission | 'unsupported';

export interface AttentionApi {
  prefs: AttentionPrefs;
  permission: DesktopPermission;
  setSound: (on: boolean) => void;
  setDesktop: (on: boolean) => Promise<void>;
  /** Feed every live event here. */
  onLiveEvent: (event: LiveEvent) => void;
}

const SOUND_GAP_MS = 1500;

function permissionNow(): DesktopPermission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

function looking(): boolean {
  return typeof document !== 'undefined' && document.visibilityState === 'visible' && document.hasFocus();
}

let audio: AudioContext | null = null;

/** Two short soft tones (Web Audio: no sound file to load). */
function chime(): void {
  try {
    const Context = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Context) return;
    audio ??= new Context();
    const start = audio.currentTime;
    [880, 1320].forEach((frequency, index) => {
      const context = audio as AudioContext;
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.frequency.value = frequency;
      const at = start + index * 0.16;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.15, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.14);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(at);
      oscillator.stop(at + 0.15);
    });
  } catch {
    // no audio output: the title and the notifications still tell
  }
}

export function useAttention(options: {
  meId: string;
  openTicketId: string | null;
  unreadCount: number;
  t: Translate;
  onOpenTicket: (id: string) => void;
}): AttentionApi {
  const { meId, openTicketId, unreadCount, t, onOpenTicket } = options;
  const [prefs, setPrefs] = useState<AttentionPrefs>(() => storedAttention(meId));
  const [permission, setPermission] = useState<DesktopPermission>(permissionNow);
  const latest = useRef({ prefs, openTicketId, t, onOpenTicket, meId });
  latest.current = { prefs, openTicketId, t, onOpenTicket, meId };
  const lastSound = useRef(0);

  useEffect(() => {
    const base = t('app.name');
    document.title = titleWithCount(unreadCount, base);
    return () => {
      document.title = base;
    };
  }, [unreadCount, t]);

  const update = useCallback((next: AttentionPrefs) => {
    setPrefs(next);
    storeAttention(latest.current.meId, next);
  }, []);

  const setSound = useCallback(
    (on: boolean) => {
      update({ ...latest.current.prefs, sound: on });
      if (on) chime(); // a sample, and browsers allow audio once the page was clicked
    },
    [update],
  );

  const setDesktop = useCallback(
    async (on: boolean) => {
      if (on && typeof Notification !== 'undefined' && Notification.permission === 'default') {
        setPermission(await Notification.requestPermission());
      }
      update({ ...latest.current.prefs, desktop: on });
    },
    [update],
  );

  const notify = useCallback((alert: Alert) => {
    const { prefs: current, t: translate, onOpenTicket: open } = latest.current;
    const now = Date.now();
    if (current.sound && now - lastSound.current > SOUND_GAP_MS) {
      lastSound.current = now;
      chime();
    }
    if (!current.desktop || looking() || permissionNow() !== 'granted') return;
    const title =
      alert.kind === 'new-ticket'
        ? translate('attention.newTicket', { who: alert.who || translate('customer.anonymous') })
        : translate('attention.newMessage', { who: alert.who || translate('customer.anonymous') });
    try {
      const shown = new Notification(title, { body: alert.text, tag: alert.ticketId, lang: 'ru' });
      shown.onclick = () => {
        window.focus();
        open(alert.ticketId);
        shown.close();
      };
    } catch {
      // some browsers only notify from a service worker: the title and the sound still tell
    }
  }, []);

  const onLiveEvent = useCallback(
    (event: LiveEvent) => {
      const alert = alertFor(event, {
        meId: latest.current.meId,
        openTicketId: latest.current.openTicketId,
        looking: looking(),
      });
      if (alert) notify(alert);
    },
    [notify],
  );

  return { prefs, permission, setSound, setDesktop, onLiveEvent };
}
