/** A `${VAR}` reference in text, as Flux's envsubst reads it. */
export interface VariableRef {
  name: string;
  /** 0-based offset of `$`. */
  offset: number;
  /** true for `${VAR:=x}`, `${VAR:-x}`, `${VAR=x}`, `${VAR-x}`: a default applies when unset. */
  hasDefault: boolean;
}

const REF = /\$\{(#?)([_A-Za-z][_A-Za-z0-9]*)(:?[-=])?/y;

/** Every `${…}` variable reference of `text`, skipping the `$${…}` escape. Nested defaults are found too. */
export function findVariableRefs(text: string): VariableRef[] {
  const out: VariableRef[] = [];
  for (let i = text.indexOf("${"); i !== -1; i = text.indexOf("${", i + 1)) {
    if (i > 0 && text[i - 1] === "$") continue;
    REF.lastIndex = i;
    const match = REF.exec(text);
    if (!match) continue;
    out.push({ name: match[2]!, offset: i, hasDefault: match[1] === "" && match[3] !== undefined });
  }
  return out;
}

/** Names Flux accepts as substitution variables. */
export const VARIABLE_NAME = /^[_A-Za-z][_A-Za-z0-9]*$/;
