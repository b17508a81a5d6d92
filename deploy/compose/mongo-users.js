// One MongoDB user per service, with readWrite on its own database only (least privilege: MongoDB's
// "Built-In Roles"), each database its own authSource. The mongo image runs this once, on an empty data
// volume, before it enables authentication (docker-entrypoint-initdb.d); the passwords come from the
// files compose mounts (fs is Node's, available in mongosh: "Native Methods in mongosh").
for (const service of ["intake", "identity", "routing", "notify", "insights"]) {
  const database = `civicflow_${service}`;
  const password = fs.readFileSync(`/run/secrets/mongo/${service}`, "utf8").trim();
  db.getSiblingDB(database).createUser({
    user: `civicflow-${service}`,
    pwd: password,
    roles: [{ role: "readWrite", db: database }],
  });
}
