-- wrk script: POST a valid petstore NewPet, so every request is parsed and validated.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"name":"Rex","tag":"dog","birthDate":"2020-01-02"}'
