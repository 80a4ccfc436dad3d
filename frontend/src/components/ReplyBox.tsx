import { useId, useRef, useState, type FormEvent, type KeyboardEvent, type Ref } from 'react';
import { useI18n } from '../i18n';
import { Icon } from './Icon';

export interface ReplyInput {
  text: string;
  file: File | null;
  note: boolean;
}

export interface ReplyBoxProps {
  draft: string;
  onDraftChange: (text: string) => void;
  onSend: (input: ReplyInput) => void;
  /** Why the operator cannot write here (closed ticket...), or null. */
  disabledReason: string | null;
  textareaRef?: Ref<HTMLTextAreaElement>;
}

const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;

/** The reply box: Enter sends, Shift+Enter breaks the line; a file and the note toggle are optional. */
export function ReplyBox({ draft, onDraftChange, onSend, disabledReason, textareaRef }: ReplyBoxProps) {
  const { t, fmt } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [note, setNote] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const ids = useId();
  const disabled = disabledReason !== null;
  const limit = file ? CAPTION_LIMIT : TEXT_LIMIT;
  const tooLong = draft.length > limit;
  const canSend = !disabled && !tooLong && (draft.trim().length > 0 || (file !== null && !note));

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (!canSend) return;
    onSend({ text: draft.trim(), file: note ? null : file, note });
    setFile(null);
    if (fileInput.current) fileInput.current.value = '';
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  return (
    <form className={`reply${note ? ' reply--note' : ''}`} onSubmit={submit} aria-label={t('reply.formLabel')}>
      {disabledReason && <p className="reply__disabled">{disabledReason}</p>}
      {file && (
        <div className="reply__file">
          <Icon name="paperclip" size={14} />
          <span className="reply__file-name">{file.name}</span>
          <span className="muted">{fmt.size(file.size)}</span>
          <button
            type="button"
            className="btn btn--ghost btn--small"
            onClick={() => {
              setFile(null);
              if (fileInput.current) fileInput.current.value = '';
            }}
            aria-label={t('reply.removeFile', { name: file.name })}
          >
            ✕
          </button>
        </div>
      )}
      <label htmlFor={`${ids}-text`} className="visually-hidden">
        {note ? t('reply.noteLabel') : t('reply.label')}
      </label>
      <textarea
        id={`${ids}-text`}
        ref={textareaRef}
        className="reply__text"
        value={draft}
        onChange={(event) => onDraftChange(event.target.value)}
        onKeyDown={onKeyDown}
        placeholder={note ? t('reply.notePlaceholder') : file ? t('reply.captionPlaceholder') : t('reply.placeholder')}
        rows={3}
        disabled={disabled}
        aria-describedby={`${ids}-hint`}
        aria-invalid={tooLong || undefined}
      />
      <div className="reply__bar">
        <input
          ref={fileInput}
          id={`${ids}-file`}
          type="file"
          className="visually-hidden"
          disabled={disabled || note}
          onChange={(event) => setFile(event.target.files?.[0] ?? null)}
        />
        <label
          htmlFor={`${ids}-file`}
          className={`btn btn--ghost${disabled || note ? ' is-disabled' : ''}`}
          title={note ? t('reply.noFileInNote') : undefined}
        >
          <Icon name="paperclip" /> {t('reply.attach')}
        </label>
        <label className="reply__toggle">
          <input type="checkbox" checked={note} onChange={(event) => setNote(event.target.checked)} disabled={disabled} />
          {t('reply.asNote')}
        </label>
        <span id={`${ids}-hint`} className={`reply__hint${tooLong ? ' is-error' : ''}`}>
          {tooLong ? t('reply.tooLong', { limit }) : note ? t('reply.noteHint') : t('reply.keysHint')}
        </span>
        <button type="submit" className={`btn ${note ? 'btn--note' : 'btn--primary'}`} disabled={!canSend}>
          {note ? t('reply.addNote') : t('reply.send')}
        </button>
      </div>
    </form>
  );
}
