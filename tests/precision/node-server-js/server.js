const express = require("express");

const app = express();
const port = Number(process.env.PORT) || 3000;

app.get("/healthz", (_req, res) => res.send("ok"));

app.listen(port, "0.0.0.0", () => {
  console.log(`guestbook listening on ${port}`);
});
