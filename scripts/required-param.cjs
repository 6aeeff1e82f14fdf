// The stage parameters every stage but `local` must be given (--param="name=value"):
// a stack reads one as ${param:<name>, ${file(<root>/scripts/required-param.cjs):<name>}},
// so a stage without it fails at package time, naming the parameter, instead of
// silently taking the local cloud's issuer or origin.
const why = {
  jwtIssuer:
    'the OIDC issuer of the JWTs the APIs accept (https://cognito-idp.<region>.amazonaws.com/<poolId>)',
  jwtAudience: 'the audience the JWTs must carry (the Cognito app client id)',
  allowedOrigins: "the browser origins allowed, comma-separated (the web app's https://...)",
};

module.exports = Object.fromEntries(
  Object.entries(why).map(([name, what]) => [
    name,
    ({ options }) => {
      throw new Error(
        `stage "${options.stage ?? 'dev'}" needs the parameter ${name}: ${what}; pass --param="${name}=..."`,
      );
    },
  ]),
);
