#!/usr/bin/env bash
# mutation.sh: Stryker.NET mutation testing of src/Core.CSharp's Distributions/, Inference/, Models/ and Training/ against the F# tests.
#
# usage: eng/mutation.sh [Distributions|Inference|Models|Training ...]   (default: the first three, one after another)
#        MUTATION_FILTER='...' eng/mutation.sh Models            (override the per-folder test filter)
#        MUTATION_FILES='Flows.cs,Density.cs' eng/mutation.sh Models   (only these files of the folder)
#        MUTATION_NICE=19 eng/mutation.sh ...                          (the run's nice level, default 10)
#
# Stryker (pinned in .config/dotnet-tools.json) compiles every mutant of the folder into one build of GenDsl.Core,
# runs the filtered tests once to learn which tests cover which mutant (coverage "perTest"), then activates the
# mutants one at a time and runs only their covering tests. Concurrency 1 and `nice`: the build machine is shared, so
# never run two of these at once. Reports go to $MUTATION_OUT/<folder>/ (default /tmp/gendsl-mutation, outside the
# repository): reports/mutation-report.{json,html};
# the last lines printed are the folder's mutation score. Survivors are listed, with the reason, in tests/MUTANTS.md.
# Not part of CI's time budget: a folder takes minutes (Distributions, Inference) to tens of minutes (Models).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
# The manifest also pins gendsl, which restores only from eng/pack.sh's feed: restore with it when it is there, and go
# on without it otherwise (Stryker alone is needed here; a missing Stryker fails below, by name).
if [[ -d "$here/artifacts/feed" ]]; then dotnet tool restore --add-source "$here/artifacts/feed" >/dev/null
else dotnet tool restore >/dev/null 2>&1 || true; fi

# The tests that exercise each folder (a `dotnet test --filter` expression): the seed tests everywhere, plus the
# Core test modules of the folder's classes. Only tests covering a mutant run for it, so a wide filter costs only
# the initial (coverage) run. Training's filter leaves out DistributedTests (several processes per test, far too slow to
# repeat per mutant): run it with MUTATION_FILES='EpochOrder.cs,GanTrainer.cs,Records.cs,TrainOptions.cs,Trainer.cs,
# TrainerCheckpoint.cs' (TrainerDistributed.cs would show as no coverage).
filter_for() {
  local seeds='DisplayName~GenDsl.Tests.Seeds'
  case "$1" in
    Distributions) echo "$seeds|DisplayName~DistributionsMutantTests|DisplayName~GaussianMixtureTests|DisplayName~VaeTests|DisplayName~DeterminismTests" ;;
    Inference)     echo "$seeds|DisplayName~InferenceContractTests|DisplayName~GaussianKlFitTests|DisplayName~VaeTests|DisplayName~NiceTests" ;;
    Models)        echo "$seeds|DisplayName~MutantTests|DisplayName~GaussianMixture|DisplayName~BernoulliMixture|DisplayName~KdeTests|DisplayName~EbmTests|DisplayName~GanTests|DisplayName~NiceTests|DisplayName~VaeTests|DisplayName~TransformerLmTests" ;;
    Training)      echo "DisplayName~TrainerTests|DisplayName~TrainerMutantTests|DisplayName~GanTests|DisplayName~GanMutantTests|DisplayName~GanTrainerMutantTests|DisplayName~GaussianKlFitTests|DisplayName~TransformerLmTests|DisplayName~EbmTests" ;;
    *) echo "mutation.sh: unknown folder '$1'; use Distributions, Inference, Models or Training" >&2; return 1 ;;
  esac
}

# Stryker from the manifest; where the manifest cannot be restored (it also pins gendsl, whose feed eng/pack.sh makes),
# the same Stryker version into .tools/ (ignored).
stryker=(dotnet dotnet-stryker)
if ! dotnet dotnet-stryker --version >/dev/null 2>&1; then
  version=$(sed -nE '/"dotnet-stryker"/,/version/ s/.*"version": *"([^"]+)".*/\1/p' "$here/.config/dotnet-tools.json" | head -1)
  [[ -x "$here/.tools/dotnet-stryker" ]] || dotnet tool install dotnet-stryker --version "$version" --tool-path "$here/.tools" >/dev/null ||
    { echo "mutation.sh: could not install dotnet-stryker $version (is NuGet reachable?)" >&2; exit 1; }
  stryker=("$here/.tools/dotnet-stryker")
fi

folders=("$@")
((${#folders[@]})) || folders=(Distributions Inference Models)
for folder in "${folders[@]}"; do
  filter="${MUTATION_FILTER:-$(filter_for "$folder")}"
  out="${MUTATION_OUT:-/tmp/gendsl-mutation}/$folder"
  # MUTATION_FILES='Cauchy.cs,Gumbel.cs' narrows the run to some files of the folder (one --mutate glob each)
  mutate=()
  if [[ -n "${MUTATION_FILES:-}" ]]; then
    IFS=, read -ra files <<<"$MUTATION_FILES"
    for f in "${files[@]}"; do mutate+=(--mutate "**/src/Core.CSharp/$folder/$f"); done
  else
    mutate=(--mutate "**/src/Core.CSharp/$folder/**/*.cs")
  fi
  echo "mutation.sh: $folder (tests: $filter)"
  (cd tests && nice -n "${MUTATION_NICE:-10}" "${stryker[@]}" \
      --project GenDsl.Core.csproj --test-project GenDsl.Tests.fsproj \
      "${mutate[@]}" \
      --test-case-filter "$filter" \
      --concurrency 1 --skip-version-check \
      --reporter progress --reporter cleartext --reporter json --reporter html \
      --output "$out")
done
