export { clusteredPairedDifference, clusteredRate } from "./clustered.js";
export {
  type ConfusionMatrix,
  cohensKappa,
  type KappaResult,
  mcnemarExact,
  median,
  normalQuantile,
  type PairedDifference,
  pairedDifference,
  wilsonInterval,
} from "./stats.js";
