#!/usr/bin/env bash
# pack.sh: builds the NuGet packages GenDsl.Core (with libgendsl.so as its linux-x64 native asset) and GenDsl.Dsl, and
# the gendsl .NET tool, into a local feed folder (default artifacts/feed, git-ignored); then restores the repository's
# tool manifest from it, so `dotnet gendsl ...` works inside the repository.
#
# usage: eng/pack.sh [feed folder]        GENDSL_PACKAGE_VERSION=0.1.0 (the version .config/dotnet-tools.json pins)
#
# A package of the same version packed again replaces the one in the feed; its extracted copy in the global packages
# folder (~/.nuget/packages, or $NUGET_PACKAGES) is removed too, or restores would keep using the old one.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
feed="$(mkdir -p "${1:-$root/artifacts/feed}" && cd "${1:-$root/artifacts/feed}" && pwd)"
version="${GENDSL_PACKAGE_VERSION:-0.1.0}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Release builds; eng/Packaging.props adds the package settings of GenDsl.Dsl and of the tool (src/Cli).
for project in src/Core.CSharp src/Dsl.FSharp src/Cli; do
  dotnet pack "$root/$project" -c Release -o "$feed" -v quiet --nologo \
    -p:Version="$version" -p:CustomBeforeMicrosoftCommonProps="$root/eng/Packaging.props"
done

packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
for id in gendsl.core gendsl.dsl gendsl; do rm -rf "${packages:?}/$id/$version"; done

# The tool manifest (.config/dotnet-tools.json) pins gendsl at this version; only a repository-local restore needs it.
if grep -q '"gendsl"' "$root/.config/dotnet-tools.json"; then
  (cd "$root" && dotnet tool restore --add-source "$feed" >/dev/null)
fi
echo "pack.sh: $(cd "$feed" && ls GenDsl.Core."$version".nupkg GenDsl.Dsl."$version".nupkg gendsl."$version".nupkg | tr '\n' ' ')in $feed"
