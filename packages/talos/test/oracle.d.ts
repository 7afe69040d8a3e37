/** `<repo root>/../shared/oracles/talos`: under CI a missing oracle fails, elsewhere the tests skip. */
export declare const oracleDir: string;
export declare const v113: string;
export declare const haveOracle: boolean;
export declare const skipReason: string;
//# sourceMappingURL=oracle.d.ts.map
