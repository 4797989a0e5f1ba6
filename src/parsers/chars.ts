/** Character classes shared by the hand-written readers (ASCII only, by code unit). */

export function isDigitCode(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

export function isLetterCode(code: number): boolean {
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x7a;
}

/** 1 to 15 ASCII digits: values that read exactly as JavaScript numbers. */
export function isDigits(text: string): boolean {
  if (text.length === 0 || text.length > 15) return false;
  for (let index = 0; index < text.length; index += 1) {
    if (!isDigitCode(text.charCodeAt(index))) return false;
  }
  return true;
}
