// asl-validator 4 ships no type declarations; this is the part of its API we call.
declare module 'asl-validator' {
  interface AslValidatorError {
    message: string;
    [key: string]: unknown;
  }
  interface AslValidatorResult {
    isValid: boolean;
    errors: AslValidatorError[];
    errorsText: (separator?: string) => string;
  }
  function aslValidator(definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }): AslValidatorResult;
  export default aslValidator;
}
