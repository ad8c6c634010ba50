/** @jsxImportSource preact */
import type { KeyDef } from './geometry';
import type { ShiftState } from './text-state';

export interface KeyProps {
  def: KeyDef;
  shift: ShiftState;
  pressed: boolean;
  /** activation without a pointer (screen readers, keyboard access): event.detail === 0 */
  onActivate: (def: KeyDef) => void;
}

/** One key, drawn exactly over its layout rectangle (fractions of the key area). */
export function Key({ def, shift, pressed, onActivate }: KeyProps) {
  const upper = shift !== 'off' && def.kind === 'letter';
  const label = upper ? def.label.toUpperCase() : def.label;
  let ariaLabel = upper ? def.ariaLabel.toUpperCase() : def.ariaLabel;
  if (def.kind === 'shift' && shift === 'lock') ariaLabel = 'Caps lock';
  const style = {
    left: `${def.left * 100}%`,
    top: `${def.top * 100}%`,
    width: `${def.width * 100}%`,
    height: `${def.height * 100}%`,
  };
  return (
    <div
      class="key"
      role="button"
      aria-label={ariaLabel}
      aria-pressed={def.kind === 'shift' ? (shift === 'off' ? 'false' : 'true') : undefined}
      data-key={def.id}
      data-kind={def.kind}
      data-pressed={pressed ? 'true' : undefined}
      data-lock={def.kind === 'shift' && shift === 'lock' ? 'true' : undefined}
      style={style}
      onClick={(e) => {
        if (e.detail === 0) onActivate(def); // pointer taps come through the gesture tracker
      }}
    >
      <span class="cap" aria-hidden="true">
        {label}
      </span>
    </div>
  );
}
